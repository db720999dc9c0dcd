// A session call as the server hands it to a handler, with the daemon's side scripted by the
// test: messages pushed in, fsutil packets sent back decoded.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { PacketSchema, type Packet } from "../../generated/buildkit/github.com/tonistiigi/fsutil/types/wire_pb.js";
import type { GrpcCall } from "../../src/session/server.js";

/** A call as the server would hand it over, with the daemon's side scripted by the test. */
export function fakeCall(metadata: Record<string, string[]>, method = "/moby.filesync.v1.FileSync/DiffCopy") {
  const sent: Packet[] = [];
  const inbox: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let onSent: (() => void) | undefined;
  const cancel = new AbortController();
  const call: GrpcCall = {
    method,
    metadata: new Map(Object.entries(metadata)),
    signal: cancel.signal,
    requests: (async function* () {
      for (;;) {
        while (inbox.length > 0) yield inbox.shift()!;
        if (ended) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    })(),
    async send(...messages) {
      for (const message of messages) sent.push(fromBinary(PacketSchema, message));
      onSent?.();
    },
  };
  return {
    call,
    sent,
    push(packet: Parameters<typeof create<typeof PacketSchema>>[1]) {
      this.pushRaw(toBinary(PacketSchema, create(PacketSchema, packet)));
    },
    /** Sends one message of any kind. */
    pushRaw(message: Uint8Array) {
      inbox.push(message);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
    /** The daemon cancels the call (the server aborts the call's signal). */
    cancel() {
      cancel.abort(new Error("the call was closed"));
    },
    /** Resolves once `test` holds for the packets sent so far. */
    until(test: (packets: Packet[]) => boolean): Promise<void> {
      return new Promise((resolve) => {
        const check = () => test(sent) && resolve();
        onSent = check;
        check();
      });
    },
  };
}

