// msw is an optional peer dependency: only the mock daemon needs it. It is loaded when a daemon
// starts (not when `dockhand/testing` is imported, which a static import could not report
// clearly and which CommonJS `require` could not await), so a missing msw is one clear error.
import type * as Msw from "msw";

let loaded: typeof Msw | undefined;

/** Loads msw once; without it, an error naming the package and the command that adds it. */
export async function loadMsw(): Promise<typeof Msw> {
  if (loaded) return loaded;
  try {
    loaded = await import("msw");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") throw error;
    throw new Error(
      "dockhand/testing needs the msw package (an optional peer dependency of dockhand), which is not installed; add it with: npm install --save-dev msw",
      { cause: error },
    );
  }
  return loaded;
}

/** msw after {@link loadMsw} resolved (every daemon start awaits it before building handlers). */
export function msw(): typeof Msw {
  if (!loaded) throw new Error("msw used before loadMsw() resolved");
  return loaded;
}
