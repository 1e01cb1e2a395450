/** The version `sextant --version` prints and the OpenAPI document states. */
export const VERSION = "0.1.0";
