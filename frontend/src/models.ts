// Generated from shared/src/gemini/catalogue.rs by `PARIT_BLESS=1 cargo test -p parit-shared catalogue`;
// do not edit. The models a project may choose, the default first.
export const DEFAULT_MODEL = "gemini-4-hydrogen";
export const MODELS: readonly string[] = [
  "gemini-4-hydrogen",
  "gemini-4-neon",
  "gemini-4-carbon",
  "gemini-4-argon",
  "gemini-3.8-flash",
  "gemini-3.6-flash",
  "gemini-3.5-flash-lite",
  "gemini-3.1-pro-preview",
  "gemini-3-flash-preview",
];
// The project setting `thinking`: each level a model may take.
export const THINKING_LEVELS = ["minimal", "low", "medium", "high", "xhigh"] as const;
export type Thinking = (typeof THINKING_LEVELS)[number];
// The day the catalogue's facts were checked against Google's pages, and
// after how many days the settings say they may be out of date.
export const CATALOGUE_CHECKED_ON = "2026-12-06";
export const CATALOGUE_STALE_AFTER_DAYS = 30;
// Where a person tops up a Gemini API project's credits or raises its spend cap.
export const GEMINI_BILLING_URL = "https://ai.studio/projects";
// The ideas the local stand-in answers (shared/src/fixtures/examples.rs), offered when offline.
export const EXAMPLE_IDEAS: readonly { name: string; idea: string }[] = [
  { name: "Pantry Planner", idea: "Pantry Planner helps home cooks plan a week of meals from recipes and what is already in the pantry, and turns the plan into a shopping list." },
  { name: "ClinicBook", idea: "ClinicBook lets patients book, move and cancel appointments with a small clinic's practitioners, and gives the front desk one view of the day." },
];
