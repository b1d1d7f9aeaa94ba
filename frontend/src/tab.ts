// What a project page's tab is given and what it answers: the contract
// between the page (project.ts) and each tab (there and in artifacts.ts), so
// neither imports the other.

import type { Activity, Project, Traces } from "./api";
import type { LiveProgress } from "./progress";

export interface ProjectState {
  id: string;
  project: Project;
  traces: Traces | null;
  activity: Activity[];
  /** The running stages' live progress, from the stream's progress events. */
  live: LiveProgress;
  /** Fires when the user leaves the project. */
  signal: AbortSignal;
  /** Called after the project, traces or activity changed. */
  refresh: () => Promise<void>;
}

export interface Tab {
  update(): void;
  /** Called after a progress event (at most once a frame): redraw what is live. */
  progress?(): void;
}
