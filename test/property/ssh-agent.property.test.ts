// The in-process SSH agent under random traffic: any sequence of agent requests (every type, any
// body), cut at any boundaries, gets exactly one answer per request, in order — listing answered
// with the key, a sign request for the key with a signature that verifies, everything else with
// SSH_AGENT_FAILURE. And the wire encoding's mpints round-trip any magnitude in minimal form.
import { generateKeyPairSync, verify } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { concatBytes } from "../../src/internal/bytes.js";
import { AGENT_FAILURE, serveReadOnly } from "../../src/session/ssh-agent.js";
import { readSshKey, type SshKey } from "../../src/session/ssh-key.js";
import { keyring } from "../../src/session/ssh-keyring.js";
import { mpint, sshString, uint32, WireReader } from "../../src/session/ssh-wire.js";
import { cutAt } from "../unit/streams/helpers.js";

const { privateKey, publicKey } = generateKeyPairSync("ed25519");
let dir: string;
let key: SshKey;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dockhand-ssh-agent-property-"));
  writeFileSync(join(dir, "key"), privateKey.export({ format: "pem", type: "pkcs8" }));
  key = await readSshKey(join(dir, "key"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function message(type: number, body: Uint8Array): Uint8Array {
  return concatBytes([uint32(body.length + 1), Uint8Array.of(type), body]);
}

/** A request and what its answer must be. */
type Request = { bytes: Uint8Array; expect: "identities" | { signed: Uint8Array } | "failure" };

const requests: fc.Arbitrary<Request> = fc.oneof(
  fc.constant(null).map((): Request => ({ bytes: message(11, new Uint8Array(0)), expect: "identities" })),
  fc.tuple(fc.uint8Array({ maxLength: 200 }), fc.nat()).map(([data, flags]): Request => ({
    bytes: message(13, concatBytes([sshString(key.blob), sshString(data), uint32(flags >>> 0)])),
    expect: { signed: data },
  })),
  // A sign request for a key not held, or with any body at all.
  fc.uint8Array({ maxLength: 120 }).map((body): Request => ({ bytes: message(13, body), expect: "failure" })),
  // Every other message type, with any body.
  fc.tuple(fc.integer({ min: 0, max: 255 }).filter((t) => t !== 11 && t !== 13), fc.uint8Array({ maxLength: 120 })).map(
    ([type, body]): Request => ({ bytes: message(type, body), expect: "failure" }),
  ),
);

describe("ssh agent properties", () => {
  it("answers any request sequence, cut anywhere, once per request and in order", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(requests, { maxLength: 20 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 20 }), async (sent, fractions) => {
        const body = concatBytes(sent.map((r) => r.bytes));
        const chunks = cutAt(body, fractions.map((f) => Math.floor(f * body.length)));
        const answers: Uint8Array[] = [];
        await serveReadOnly(
          (async function* () {
            yield* chunks;
          })(),
          keyring([key]),
          async (answer) => void answers.push(answer),
        );
        expect(answers).toHaveLength(sent.length);
        sent.forEach((request, i) => {
          const answer = answers[i]!;
          if (request.expect === "failure") return expect(answer).toEqual(AGENT_FAILURE);
          const reader = new WireReader(answer.subarray(5));
          if (request.expect === "identities") {
            expect(answer[4]).toBe(12);
            expect(reader.uint32()).toBe(1);
            expect(reader.string()).toEqual(key.blob);
            return;
          }
          expect(answer[4]).toBe(14);
          const signature = new WireReader(reader.string());
          expect(signature.text()).toBe("ssh-ed25519");
          expect(verify(null, request.expect.signed, publicKey, signature.string())).toBe(true);
        });
      }),
      { numRuns: 200 },
    );
  });

  it("encodes any magnitude as a minimal mpint that reads back as the same number", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (magnitude) => {
        const encoded = mpint(magnitude);
        const digits = new WireReader(encoded).mpint();
        const value = (bytes: Uint8Array) => bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
        expect(value(digits)).toBe(value(magnitude));
        const field = encoded.subarray(4);
        // Minimal: no leading zero byte unless the next byte's top bit needs it; never negative.
        if (field.length > 0) expect(field[0]! & 0x80).toBe(0);
        if (field.length > 1 && field[0] === 0) expect(field[1]! & 0x80).toBe(0x80);
      }),
      { numRuns: 500 },
    );
  });
});
