/** Facts about the mock daemon that handlers report or obey. */
export interface DaemonSettings {
  /** Highest API version served (`Api-Version` header, `/version`). */
  apiVersion: string;
  /** Lowest API version accepted. */
  minApiVersion: string;
  /** Engine version shown by `/version`, `/info` and the `Server` header. */
  engineVersion: string;
  /** Random ID shown by `/info`. */
  daemonId: string;
  /**
   * The builder `/_ping` announces (`Builder-Version`): `"1"` makes clients build with the classic
   * builder, which the mock implements; `"2"` (BuildKit) makes them open a session, which the mock
   * answers with an error.
   */
  builderVersion: "1" | "2";
  /** Delay before answering `/_ping`, to hold negotiation open in tests. */
  pingDelayMs: number;
  /** Aborted when the daemon closes: ends follow streams and pending waits. */
  closing: AbortSignal;
}
