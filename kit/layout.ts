/**
 * The files the lifecycle gives a buildpack, in a temporary tree: the app,
 * `<platform>/env/` (one file per variable, as the platform writes them), the
 * layers root with this buildpack's layers directory, and the two plan files,
 * pre-created empty as the lifecycle does.
 *
 * @module
 */
import { join } from "node:path";
import { copyApp } from "./fixtures.ts";
import { BUILDPACK_DIR_NAME } from "./paths.ts";

/** Options of {@linkcode lifecycleLayout}. */
export interface LayoutOptions {
  /** Prefix of the temporary directory's name. */
  readonly prefix?: string;
  /**
   * The app: copied from a directory (with the fixtures' shared server where its scripts
   * need it), or used where it is (default: an empty `workspace/`).
   */
  readonly app?: { readonly copyOf: string } | { readonly at: string };
  /** Platform variables, written as `<platform>/env/NAME` (no trailing newline). */
  readonly env?: Readonly<Record<string, string>>;
}

/** A lifecycle-like tree; dispose removes it. */
export interface Layout extends AsyncDisposable {
  /** Root of the temporary tree. */
  readonly root: string;
  /** The app directory. */
  readonly app: string;
  /** The platform directory. */
  readonly platform: string;
  /** The lifecycle's layers directory. */
  readonly layersRoot: string;
  /** This buildpack's layers directory. */
  readonly layers: string;
  /** Detect's plan path (empty). */
  readonly detectPlan: string;
  /** Build's buildpack plan path (empty: this buildpack provides nothing). */
  readonly buildPlan: string;
}

/**
 * Makes the tree.
 *
 * @example Usage
 * ```ts
 * import { lifecycleLayout } from "./layout.ts";
 * await using layout = await lifecycleLayout({ env: { BP_POETRY_RUN_TARGET: "web" } });
 * ```
 *
 * @param opts App, platform variables.
 * @returns The layout.
 */
export async function lifecycleLayout(opts: LayoutOptions = {}): Promise<Layout> {
  const root = await Deno.makeTempDir({ prefix: opts.prefix ?? "poetry-run-" });
  const dispose = () => Deno.remove(root, { recursive: true }).catch(() => {});
  try {
    const app = opts.app !== undefined && "at" in opts.app ? opts.app.at : join(root, "workspace");
    if (opts.app !== undefined && "copyOf" in opts.app) {
      await copyApp(opts.app.copyOf, app);
    } else if (opts.app === undefined) await Deno.mkdir(app);
    const layout = {
      root,
      app,
      platform: join(root, "platform"),
      layersRoot: join(root, "layers"),
      layers: join(root, "layers", BUILDPACK_DIR_NAME),
      detectPlan: join(root, "detect", "plan.toml"),
      buildPlan: join(root, "build", "plan.toml"),
      [Symbol.asyncDispose]: dispose,
    };
    for (
      const dir of [
        join(layout.platform, "env"),
        layout.layers,
        join(root, "detect"),
        join(root, "build"),
      ]
    ) {
      await Deno.mkdir(dir, { recursive: true });
    }
    await Deno.writeTextFile(layout.detectPlan, "");
    await Deno.writeTextFile(layout.buildPlan, "");
    for (const [name, value] of Object.entries(opts.env ?? {})) {
      await Deno.writeTextFile(join(layout.platform, "env", name), value);
    }
    return layout;
  } catch (error) {
    await dispose();
    throw error;
  }
}

/**
 * The variables the lifecycle exports from `<platform>/env/` (each file's
 * bytes verbatim, for names that are not a path variable).
 *
 * @param platform The platform directory.
 * @returns The variables.
 */
export async function platformEnv(platform: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for await (const entry of Deno.readDir(join(platform, "env"))) {
    env[entry.name] = await Deno.readTextFile(join(platform, "env", entry.name));
  }
  return env;
}

/** What the lifecycle hands a phase: its positional arguments and CNB_* path variables. */
export interface PhaseInputs {
  /** `<platform> <plan>` for detect, `<layers> <platform> <plan>` for build. */
  readonly args: readonly string[];
  /** The same paths as the variables lifecycle v0.21 sets for Buildpack API 0.8 and later. */
  readonly cnb: Readonly<Record<string, string>>;
}

/**
 * The inputs of a phase run in a layout, as lifecycle v0.21 gives them.
 *
 * @example Usage
 * ```ts
 * import { lifecycleLayout, phaseInputs } from "./layout.ts";
 * await using layout = await lifecycleLayout();
 * const { args, cnb } = phaseInputs("detect", layout);
 * ```
 *
 * @param phase `detect` or `build`.
 * @param layout The layout.
 * @returns The arguments and variables.
 */
export function phaseInputs(phase: "detect" | "build", layout: Layout): PhaseInputs {
  return phase === "detect"
    ? {
      args: [layout.platform, layout.detectPlan],
      cnb: { CNB_PLATFORM_DIR: layout.platform, CNB_BUILD_PLAN_PATH: layout.detectPlan },
    }
    : {
      args: [layout.layers, layout.platform, layout.buildPlan],
      cnb: {
        CNB_LAYERS_DIR: layout.layers,
        CNB_PLATFORM_DIR: layout.platform,
        CNB_BP_PLAN_PATH: layout.buildPlan,
      },
    };
}
