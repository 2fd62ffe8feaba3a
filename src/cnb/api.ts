/**
 * Buildpack API versions this buildpack can speak.
 *
 * @module
 */

/** A Buildpack API version lifecycle v0.21 supports. */
export type BuildpackApi = "0.7" | "0.8" | "0.9" | "0.10" | "0.11" | "0.12";

/** Every Buildpack API version lifecycle v0.21 supports, oldest first. */
export const SUPPORTED_APIS: readonly BuildpackApi[] = [
  "0.7",
  "0.8",
  "0.9",
  "0.10",
  "0.11",
  "0.12",
];

/**
 * Tells whether a version string is a supported Buildpack API.
 *
 * @param value The `api` value from buildpack.toml.
 * @returns `true` for one of {@linkcode SUPPORTED_APIS}.
 */
export function isSupportedApi(value: string): value is BuildpackApi {
  return (SUPPORTED_APIS as readonly string[]).includes(value);
}

/**
 * Tells whether an API uses array commands (Buildpack API 0.9 and later).
 *
 * @param api The API version.
 * @returns `true` from 0.9 on, where `command` is an array and `direct` is gone.
 */
export function usesCommandArrays(api: BuildpackApi): boolean {
  return SUPPORTED_APIS.indexOf(api) >= SUPPORTED_APIS.indexOf("0.9");
}
