// Stops what global-setup.ts started, unless PARIT_E2E_KEEP asks to keep it.
import { stopStack } from "./global-setup";

export default async function globalTeardown(): Promise<void> {
  if (!process.env.PARIT_E2E_KEEP) stopStack();
}
