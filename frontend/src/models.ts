// Generated from shared/src/gemini/catalogue.rs by `PARIT_BLESS=1 cargo test -p parit-shared catalogue`;
// do not edit. The models a project may choose, the default first.
export const DEFAULT_MODEL = "gemini-3.5-flash-lite";
export const MODELS: readonly string[] = [
  "gemini-3.5-flash-lite",
  "gemini-4-argon",
  "gemini-3.8-flash",
  "gemini-3.6-flash",
  "gemini-3.1-pro-preview",
  "gemini-3-flash-preview",
];
