/** Clients measured by the suite; each module under clients/ exports `info` and `open()`. */
export const CLIENTS = ["undici", "undici-lean", "dockhand", "dockhand-baseline", "dockerode", "node-sdk"];

/** Loads one client adapter (and with it the library it wraps). */
export function loadClient(name) {
  if (!CLIENTS.includes(name)) throw new Error(`unknown client ${name}`);
  return import(`./clients/${name}.mjs`);
}
