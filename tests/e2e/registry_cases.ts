/**
 * The path platforms take, the suite's main one: the buildpack published as
 * a multi-arch image index, a builder in the registry with Paketo's Python
 * order, pack's untrusted flow publishing the app image, then `docker pull`
 * and a container.
 *
 * @module
 */
import assert from "node:assert/strict";
import { copyApp, fixtureCopy, FIXTURES } from "../../kit/fixtures.ts";
import { join } from "node:path";
import { parseToml } from "../../src/cnb/toml.ts";
import { fileArch } from "../../kit/package/elf.ts";
import { must } from "../../kit/command.ts";
import {
  BUILDPACK_VERSION,
  imageGroup,
  imageProcesses,
  imageSize,
  launchLayers,
  packageAndPublish,
  packBuildPublished,
  runContainer,
  serve,
  type Suite,
  TARGETS,
  writtenPycs,
} from "../../kit/e2e.ts";
import { DEFAULT_PORT, listeningOn, waitForHttp } from "../../kit/http.ts";
import { lockAgainstPyPI } from "../../kit/pypi.ts";
import { BUILDPACK_DIR_NAME, BUILDPACK_ID, REPO_ROOT } from "../../kit/paths.ts";
import type { Manifest } from "../../kit/registry.ts";
import { readTar } from "../../kit/tar.ts";
import { type E2e } from "../_harness/suites.ts";
import { tempDir } from "../../kit/files.ts";

const EXAMPLE = join(REPO_ROOT, "examples", "default_app");

/** What one image of the index holds. */
interface Published {
  readonly platform: string;
  readonly manifest: Manifest;
  readonly labels: Record<string, string>;
  readonly architecture: string;
  /** buildpack.toml in the buildpack's layer. */
  readonly buildpackToml: Record<string, unknown>;
  /** The ELF machine of the runtime in the layer. */
  readonly runtimeArch: string | undefined;
}

/** Reads an image index of this buildpack back from the registry. */
async function readIndex(
  s: Suite,
  tag: string,
): Promise<{ index: Manifest; images: Published[] }> {
  const index = await s.registry.manifest("poetry-run", tag);
  const images: Published[] = [];
  for (const entry of index.json.manifests ?? []) {
    const manifest = await s.registry.manifest("poetry-run", entry.digest);
    const config = JSON.parse(
      new TextDecoder().decode(
        await s.registry.blob("poetry-run", manifest.json.config?.digest ?? ""),
      ),
    ) as { architecture: string; config: { Labels: Record<string, string> } };
    const layers = manifest.json.layers ?? [];
    assert.equal(layers.length, 1, "one layer: the buildpack");
    const items = readTar(await s.registry.blob("poetry-run", layers[0]?.digest ?? ""));
    const root = `/cnb/buildpacks/${BUILDPACK_DIR_NAME}/${BUILDPACK_VERSION}`;
    const file = (path: string) => {
      const item = items.find((i) => i.name.replace(/^\/?/, "/") === `${root}/${path}`);
      assert.ok(item, `${path} in the layer: ${items.map((i) => i.name).join(" ")}`);
      return item.data;
    };
    await using tmp = await tempDir("pr-layer-");
    await Deno.writeFile(join(tmp.path, "deno"), file("lib/deno"));
    images.push({
      platform: `${entry.platform?.os}/${entry.platform?.architecture}`,
      manifest,
      labels: config.config.Labels,
      architecture: config.architecture,
      buildpackToml: parseToml(new TextDecoder().decode(file("buildpack.toml"))),
      runtimeArch: await fileArch(join(tmp.path, "deno")),
    });
  }
  return { index, images };
}

/**
 * Registers the registry-flow tests.
 *
 * @param e2e The suite.
 */
export function registryCases(e2e: E2e): void {
  e2e.test(
    "deno task package --publish: an image index, one whole buildpack per target, the same bytes on a second publish",
    async (s) => {
      const { index, images } = await readIndex(s, BUILDPACK_VERSION);
      assert.equal(index.mediaType, "application/vnd.oci.image.index.v1+json");
      assert.deepEqual(images.map((i) => i.platform), [...TARGETS]);
      for (const image of images) {
        const arch = image.platform.split("/")[1];
        assert.equal(image.architecture, arch, `${image.platform}: the image config`);
        assert.equal(image.runtimeArch, arch, `${image.platform}: lib/deno's ELF machine`);
        assert.deepEqual(
          JSON.parse(JSON.stringify(image.buildpackToml.targets)),
          [{ os: "linux", arch }],
          `${image.platform}: buildpack.toml declares only its own target`,
        );
        const meta = JSON.parse(image.labels["io.buildpacks.buildpackage.metadata"] ?? "{}");
        assert.equal(meta.id, BUILDPACK_ID);
        assert.equal(meta.version, BUILDPACK_VERSION);
        const layers = JSON.parse(image.labels["io.buildpacks.buildpack.layers"] ?? "{}");
        const layer = layers[BUILDPACK_ID]?.[BUILDPACK_VERSION];
        assert.equal(layer?.api, "0.8", JSON.stringify(layers));
        assert.match(layer?.layerDiffID ?? "", /^sha256:[0-9a-f]{64}$/);
      }
      console.log(
        `    [e2e] index ${index.digest}: ` +
          images.map((i) =>
            `${i.platform} ${i.manifest.digest} (layer ${i.manifest.json.layers?.[0]?.digest}, ${
              ((i.manifest.json.layers?.[0]?.size ?? 0) / 1024 / 1024).toFixed(1)
            } MiB)`
          ).join("; "),
      );

      // The whole packaging again, into another directory and tag: the same bytes.
      await using again = await tempDir("pr-package-again-");
      const tag = `${BUILDPACK_VERSION}-again`;
      await s.timed(
        "deno task package --publish, again",
        () => packageAndPublish(again.path, `${s.registry.host}/poetry-run:${tag}`),
      );
      const second = await readIndex(s, tag);
      assert.deepEqual(
        second.images.map((i) => i.manifest.json.layers),
        images.map((i) => i.manifest.json.layers),
        "each layer's bytes",
      );
      assert.equal(second.index.digest, index.digest, "the whole index");
    },
  );

  e2e.test(
    "untrusted flow: the example app, built by the registry builder's Poetry group with no -b, pushed, pulled, serves HTTP 200",
    async (s) => {
      const { built, image } = await packBuildPublished(s, "apps/example:1", { app: EXAMPLE });
      assert.equal(built.code, 0, built.stdout + built.stderr);
      const text = built.stdout + built.stderr;
      // Five containers of the lifecycle image, one per phase (a trusted build runs one creator).
      assert.match(text, /Pulling from poetry-run-e2e\/lifecycle/);
      // pack heads each phase's container; the restorer prints nothing of its own on a first
      // build with an empty cache, the other four always do.
      const headers = {
        analyzer: "ANALYZING",
        detector: "DETECTING",
        restorer: "RESTORING",
        builder: "BUILDING",
        exporter: "EXPORTING",
      };
      for (const [phase, heading] of Object.entries(headers)) {
        const header = `===> ${heading}`;
        assert.ok(text.includes(header), `${header}: ${text}`);
        if (phase !== "restorer") {
          assert.ok(text.includes(`[${phase}] `), `the ${phase} ran in its own container: ${text}`);
        }
      }
      assert.ok(!text.includes("[creator]"), text);
      assert.deepEqual(await imageGroup(s, image), [
        "test/cpython@0.0.1",
        "test/pip@0.0.1",
        "test/poetry@0.0.1",
        "test/poetry-install@0.0.1",
        `${BUILDPACK_ID}@${BUILDPACK_VERSION}`,
      ]);
      assert.ok(text.includes("web (default): poetry run web"), text);
      const [c, body] = await serve(s, image);
      await using _c = c;
      assert.match(body, /^hello from default_app/);
      assert.deepEqual(await writtenPycs(s, c), [], "a new container compiles nothing");
      const layers = await launchLayers(s, image);
      assert.ok(!layers.includes("test/pip:pip"), "pip is a build layer only");
      await imageSize(s, image, "untrusted flow, example app, poetry run");
    },
  );

  e2e.test(
    "untrusted flow: a Procfile web replaces poetry-run's web and starts with the app's venv",
    async (s) => {
      await using dir = await tempDir("pr-procfile-app-");
      const app = join(dir.path, "app");
      await copyApp(`${FIXTURES}/default_app`, app);
      const command = `python -c 'from default_app.server import run; run()'`;
      await Deno.writeTextFile(join(app, "Procfile"), `web: ${command}\n`);
      const { built, image } = await packBuildPublished(s, "apps/procfile:1", { app });
      assert.equal(built.code, 0, built.stdout + built.stderr);
      assert.deepEqual((await imageGroup(s, image)).slice(-2), [
        `${BUILDPACK_ID}@${BUILDPACK_VERSION}`,
        "test/procfile@0.0.1",
      ]);
      const web = (await imageProcesses(s, image)).find((p) => p.type === "web");
      assert.deepEqual(web, { type: "web", argv: [command], buildpackID: "test/procfile" });
      const [c, body] = await serve(s, image);
      await using _c = c;
      assert.match(body, /^hello from default_app v1/);
    },
  );

  e2e.test(
    "untrusted flow: a Poetry app with no script falls to the next group, where python-start's web is python",
    async (s) => {
      await using app = await fixtureCopy("no_script");
      const { built, image } = await packBuildPublished(s, "apps/no-script:1", {
        app: app.path,
      });
      assert.equal(built.code, 0, built.stdout + built.stderr);
      const group = await imageGroup(s, image);
      assert.ok(group.includes("test/python-start@0.0.1"), group.join(", "));
      assert.ok(!group.some((g) => g.startsWith(BUILDPACK_ID)), group.join(", "));
      const web = (await imageProcesses(s, image)).find((p) => p.type === "web");
      assert.deepEqual(web, { type: "web", argv: ["python"], buildpackID: "test/python-start" });
      // python with a script on stdin: the venv's interpreter, with the app's package installed.
      const run = must(
        "docker run the REPL",
        await s.docker(
          ["run", "-i", "--rm", "--network", "none", image],
          120_000,
          "import sys, noscript_app\nprint(noscript_app.GREETING, sys.prefix)\n",
        ),
      );
      assert.match(
        run.stdout,
        /^hello from noscript_app \/layers\/test_poetry-install\/poetry-venv\//,
      );
    },
  );

  e2e.test(
    "untrusted flow, the consolidated group (python-package-managers-install, -run): poetry-run builds the app, it serves",
    async (s) => {
      const { built, image } = await packBuildPublished(s, "apps/example-managers:1", {
        app: EXAMPLE,
        builder: s.managersBuilder,
      });
      assert.equal(built.code, 0, built.stdout + built.stderr);
      assert.deepEqual(await imageGroup(s, image), [
        "test/cpython@0.0.1",
        "test/python-package-managers-install@0.0.1",
        "test/python-package-managers-run@0.0.1",
        `${BUILDPACK_ID}@${BUILDPACK_VERSION}`,
      ]);
      const [c, body] = await serve(s, image);
      await using _c = c;
      assert.match(body, /^hello from default_app/);
    },
  );

  e2e.test(
    "untrusted flow with BP_POETRY_RUN_DIRECT=true: no Poetry layer in the pushed image, and it serves",
    async (s) => {
      const { built, image } = await packBuildPublished(s, "apps/example-direct:1", {
        app: EXAMPLE,
        env: { BP_POETRY_RUN_DIRECT: "true" },
      });
      assert.equal(built.code, 0, built.stdout + built.stderr);
      assert.ok(built.stdout.includes("    web (default): web\n"), built.stdout);
      const layers = await launchLayers(s, image);
      assert.ok(!layers.includes("test/poetry:poetry"), layers.join(", "));
      assert.ok(layers.includes("test/poetry-install:poetry-venv"), layers.join(", "));
      const [c, body] = await serve(s, image);
      await using _c = c;
      assert.match(body, /^hello from default_app/);
      await imageSize(s, image, "untrusted flow, example app, BP_POETRY_RUN_DIRECT=true");
    },
  );

  e2e.test(
    "untrusted flow: a Flask app with no script (real packages from PyPI) gets gunicorn; docker run -e PORT serves there, and without PORT on 8080",
    async (s) => {
      await using dir = await tempDir("pr-flask-app-");
      const app = join(dir.path, "app");
      await copyApp(`${FIXTURES}/flask_gunicorn`, app);
      await lockAgainstPyPI(app);
      const { built, image } = await packBuildPublished(s, "apps/flask:1", {
        app,
        fromPyPI: true,
      });
      assert.equal(built.code, 0, built.stdout + built.stderr);
      assert.ok(built.stdout.includes("web (default): poetry run gunicorn app:app"), built.stdout);
      assert.match(built.stdout, /Start command poetry run gunicorn app:app is inferred/);
      const [c, body] = await serve(s, image);
      await using _c = c;
      assert.match(body, new RegExp(`^hello from flask \\(pid \\d+, PORT ${c.port}\\)`));
      await using noPort = await runContainer(s, image, "unset");
      const { body: at8080 } = await waitForHttp(DEFAULT_PORT, { timeoutMs: 60_000 }).catch(
        async (error) => {
          throw new Error(`${error}\n--- container output ---\n${await noPort.logs()}`);
        },
      );
      assert.match(at8080, /^hello from flask \(pid \d+, PORT 8080\)/);
      assert.deepEqual(await listeningOn(DEFAULT_PORT), ["0.0.0.0"], await noPort.logs());
      assert.match(await noPort.logs(), /Listening at: http:\/\/0\.0\.0\.0:8080/);
      await imageSize(s, image, "untrusted flow, Flask + gunicorn, inferred");
    },
  );
}
