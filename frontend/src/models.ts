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
// The ideas the local stand-in answers (shared/src/fixtures/examples.rs), offered when offline.
export const EXAMPLE_IDEAS: readonly { name: string; idea: string }[] = [
  { name: "Pantry Planner", idea: "Pantry Planner helps home cooks plan a week of meals from recipes and what is already in the pantry, and turns the plan into a shopping list." },
  { name: "ClinicBook", idea: "ClinicBook lets patients book, move and cancel appointments with a small clinic's practitioners, and gives the front desk one view of the day." },
];
