// What a project page's tab is given and what it answers: the contract
// between the page (project.ts) and each tab (there and in artifacts.ts), so
// neither imports the other.

import type { Activity, Project, Traces } from "./api";

export interface ProjectState {
  id: string;
  project: Project;
  traces: Traces | null;
  activity: Activity[];
  /** Fires when the user leaves the project. */
  signal: AbortSignal;
  /** Called after the project, traces or activity changed. */
  refresh: () => Promise<void>;
}

export interface Tab {
  update(): void;
}
