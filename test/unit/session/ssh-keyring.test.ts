// The in-process SSH agent for key files, against keys made by ssh-keygen (and openssl for the
// PKCS#8 ed25519 and unsupported kinds) and OpenSSH's own tools as the client: ssh-add lists every
// key type in every file format with the fingerprint ssh-keygen gives it, `ssh-keygen -Y sign`
// signs through the agent and `-Y verify` accepts it, RSA signs as the flags ask (checked against
// the public key ssh-keygen exports), everything but listing and signing is refused, and key files
// that cannot be used are refused naming the file and never quoting it.
import { execFile } from "node:child_process";
import { once } from "node:events";
import { createPublicKey, verify } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_FAILURE, type AgentAnswer, serveReadOnly } from "../../../src/session/ssh-agent.js";
import { KeyFileError } from "../../../src/session/openssh-key.js";
import { MAX_KEY_FILE, readSshKey } from "../../../src/session/ssh-key.js";
import { keyring } from "../../../src/session/ssh-keyring.js";
import { sshString, uint32, WireReader } from "../../../src/session/ssh-wire.js";
import { concatBytes } from "../../../src/internal/bytes.js";
import { sshToolsMissing } from "../../support/ssh-tools.js";

const run = promisify(execFile);
const missing = sshToolsMissing();

/** Each supported kind, by file name: ssh-keygen's arguments for it. */
const MADE_BY_SSH_KEYGEN: Record<string, string[]> = {
  ed25519: ["-t", "ed25519"],
  ecdsa256: ["-t", "ecdsa", "-b", "256"],
  ecdsa384: ["-t", "ecdsa", "-b", "384"],
  ecdsa521: ["-t", "ecdsa", "-b", "521"],
  rsa: ["-t", "rsa", "-b", "2048"],
  "ecdsa256.sec1": ["-t", "ecdsa", "-b", "256", "-m", "PEM"],
  "ecdsa521.pkcs8": ["-t", "ecdsa", "-b", "521", "-m", "PKCS8"],
  "rsa.pkcs1": ["-t", "rsa", "-b", "3072", "-m", "PEM"],
  "rsa.pkcs8": ["-t", "rsa", "-b", "2048", "-m", "PKCS8"],
};
const NAMES = [...Object.keys(MADE_BY_SSH_KEYGEN), "ed25519.pkcs8"];

let dir: string;
let socket: string;
let server: Server;
/** The agent the socket serves; set by each test that talks to it. */
let agent: AgentAnswer;
const env = () => ({ ...process.env, SSH_AUTH_SOCK: socket });

/** An agent request: length, type, body. */
function request(type: number, ...body: Uint8Array[]): Uint8Array {
  const payload = concatBytes([Uint8Array.of(type), ...body]);
  return concatBytes([uint32(payload.length), payload]);
}

/** `ssh-keygen -l` of a public key: bits, fingerprint and type, without the comment. */
async function fingerprint(pub: string): Promise<string> {
  const [bits, hash, ...rest] = (await run("ssh-keygen", ["-l", "-f", pub])).stdout.trim().split(" ");
  return `${bits} ${hash} ${rest.at(-1)}`;
}

beforeAll(async () => {
  if (missing) return;
  dir = await mkdtemp(join(tmpdir(), "dockhand-ssh-keyring-"));
  for (const [name, args] of Object.entries(MADE_BY_SSH_KEYGEN)) {
    await run("ssh-keygen", ["-q", ...args, "-N", "", "-C", `comment-${name}`, "-f", join(dir, name)]);
  }
  // ssh-keygen writes ed25519 keys in its own format only; a PKCS#8 one comes from openssl, and
  // ssh-keygen (9.2) cannot read it back, so its public key is written here from the raw bytes.
  await run("openssl", ["genpkey", "-algorithm", "ed25519", "-out", join(dir, "ed25519.pkcs8")]);
  const raw = createPublicKey(await readFile(join(dir, "ed25519.pkcs8"))).export({ format: "jwk" }).x!;
  const blob = concatBytes([sshString("ssh-ed25519"), sshString(Buffer.from(raw, "base64url"))]);
  await writeFile(join(dir, "ed25519.pkcs8.pub"), `ssh-ed25519 ${Buffer.from(blob).toString("base64")} openssl\n`);

  socket = join(dir, "agent.sock");
  server = createServer((connection) => {
    connection.on("error", () => {});
    serveReadOnly(connection, agent, async (answer) => void connection.write(answer)).then(
      () => connection.end(),
      () => connection.destroy(),
    );
  });
  server.listen(socket);
  await once(server, "listening");
}, 60_000);

afterAll(async () => {
  if (missing) return;
  server.close();
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(missing)("the in-process ssh agent", () => {
  it("lists every key with ssh-keygen's fingerprint for it, in order, without a comment", async () => {
    agent = keyring(await Promise.all(NAMES.map((name) => readSshKey(join(dir, name)))));
    const listed = (await run("ssh-add", ["-l"], { env: env() })).stdout.trim().split("\n");
    const expected = await Promise.all(NAMES.map((name) => fingerprint(join(dir, `${name}.pub`))));
    // ssh-add prints "bits fingerprint comment (type)"; the comment is empty.
    expect(listed.map((line) => line.replace("  (", " ("))).toEqual(expected);
    const publicKeys = (await run("ssh-add", ["-L"], { env: env() })).stdout.trim().split("\n");
    const files = await Promise.all(NAMES.map(async (name) => (await readFile(join(dir, `${name}.pub`), "utf8")).split(" ").slice(0, 2).join(" ")));
    expect(publicKeys.map((line) => line.trim())).toEqual(files);
  });

  it.each(NAMES)("signs with %s through ssh-keygen -Y sign, and ssh-keygen -Y verify accepts it", async (name) => {
    agent = keyring([await readSshKey(join(dir, name))]);
    // Alone in a folder: beside its private key, ssh-keygen would sign with the file, not the agent.
    const pub = join(dir, "alone", `${name}.pub`);
    await mkdir(join(dir, "alone"), { recursive: true });
    await copyFile(join(dir, `${name}.pub`), pub);
    const message = join(dir, `${name}.message`);
    await writeFile(message, `signed by ${name}\n`);
    await run("ssh-keygen", ["-Y", "sign", "-f", pub, "-n", "dockhand", message], { env: env() });
    const allowed = join(dir, `${name}.allowed`);
    await writeFile(allowed, `tester ${await readFile(pub, "utf8")}`);
    const checked = execFile("ssh-keygen", ["-Y", "verify", "-f", allowed, "-I", "tester", "-n", "dockhand", "-s", `${message}.sig`]);
    checked.stdin!.end(await readFile(message));
    let out = "";
    checked.stdout!.on("data", (chunk) => (out += chunk));
    const [code] = await once(checked, "exit");
    expect(out).toMatch(/^Good "dockhand" signature for tester/);
    expect(code).toBe(0);
  });

  it("signs with an RSA key as the flags ask: SHA-256, SHA-512, else legacy SHA-1", async () => {
    const key = await readSshKey(join(dir, "rsa"));
    agent = keyring([key]);
    // The public key as ssh-keygen itself exports it, not as this code reads it.
    const pem = (await run("ssh-keygen", ["-e", "-m", "PKCS8", "-f", join(dir, "rsa.pub")])).stdout;
    const data = new TextEncoder().encode("session data");
    for (const [flags, type, hash] of [
      [0, "ssh-rsa", "sha1"],
      [2, "rsa-sha2-256", "sha256"],
      [4, "rsa-sha2-512", "sha512"],
      [6, "rsa-sha2-256", "sha256"],
    ] as const) {
      const answer = await agent(request(13, sshString(key.blob), sshString(data), uint32(flags)));
      expect(answer[4]).toBe(14);
      const signature = new WireReader(new WireReader(answer.subarray(5)).string());
      expect(signature.text()).toBe(type);
      const blob = signature.string();
      expect(blob.length).toBe(256);
      expect(verify(hash, data, pem, blob)).toBe(true);
    }
  });

  it("ignores the RSA flags for other keys, as OpenSSH's agent does", async () => {
    const key = await readSshKey(join(dir, "ecdsa384"));
    const answer = await keyring([key])(request(13, sshString(key.blob), sshString(Uint8Array.of(1)), uint32(4)));
    expect(new WireReader(new WireReader(answer.subarray(5)).string()).text()).toBe("ecdsa-sha2-nistp384");
  });

  it("refuses everything but listing and signing, a key it does not hold, and a malformed request; ssh-add -D leaves the keys", async () => {
    const [held, other] = await Promise.all([readSshKey(join(dir, "ed25519")), readSshKey(join(dir, "rsa"))]);
    agent = keyring([held, held]);
    const answers: Uint8Array[] = [];
    const requests = [
      request(17, sshString("ssh-ed25519")), // add
      request(18, sshString(held.blob)), // remove
      request(19), // remove all
      request(22, sshString("pw")), // lock
      request(27, sshString("session-bind@openssh.com")), // extension
      request(13, sshString(other.blob), sshString("x"), uint32(0)), // not held
      request(13, sshString(held.blob)), // no data
      request(11),
    ];
    await serveReadOnly(
      (async function* () {
        yield concatBytes(requests);
      })(),
      agent,
      async (answer) => void answers.push(answer),
    );
    expect(answers.slice(0, 7)).toEqual(Array(7).fill(AGENT_FAILURE));
    // The key given twice is listed once.
    expect(answers[7]!.subarray(4, 9)).toEqual(Uint8Array.of(12, 0, 0, 0, 1));
    await expect(run("ssh-add", ["-D"], { env: env() })).rejects.toThrow();
    expect((await run("ssh-add", ["-l"], { env: env() })).stdout).toContain(await fingerprint(join(dir, "ed25519.pub")).then((f) => f.split(" ")[1]!));
  });
});

describe.skipIf(missing)("key files that cannot be used", () => {
  /** The refusal for the file `name`, checked to name it and to quote none of it. */
  async function refusal(name: string): Promise<string> {
    const path = join(dir, name);
    const error = await readSshKey(path).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(KeyFileError);
    const message = (error as Error).message;
    expect(message).toContain(path);
    const content = (await stat(path).catch(() => undefined))?.isFile() ? await readFile(path, "utf8") : "";
    for (const line of content.split("\n")) if (line.length > 8 && !line.startsWith("-----")) expect(message).not.toContain(line);
    return message;
  }

  it("refuses passphrase-protected keys in the OpenSSH, PKCS#1 and PKCS#8 formats", async () => {
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "secret-pass", "-f", join(dir, "locked")]);
    await run("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "secret-pass", "-f", join(dir, "locked.pkcs1")]);
    await run("ssh-keygen", ["-q", "-t", "ecdsa", "-m", "PKCS8", "-N", "secret-pass", "-f", join(dir, "locked.pkcs8")]);
    for (const name of ["locked", "locked.pkcs1", "locked.pkcs8"]) {
      expect(await refusal(name)).toMatch(/is passphrase-protected.*ssh-agent/);
    }
  });

  it("refuses missing files, directories, named pipes (without waiting for a writer), public keys, other files and oversized ones", async () => {
    expect(await refusal("absent")).toMatch(/cannot read .*absent \(ENOENT\)/);
    await mkdir(join(dir, "folder"));
    expect(await refusal("folder")).toMatch(/is not a file/);
    await run("mkfifo", [join(dir, "pipe")]);
    expect(await refusal("pipe")).toMatch(/is not a file/);
    expect(await refusal("ed25519.pub")).toMatch(/is a public key/);
    await writeFile(join(dir, "ed25519.rfc4716"), (await run("ssh-keygen", ["-e", "-f", join(dir, "ed25519.pub")])).stdout);
    expect(await refusal("ed25519.rfc4716")).toMatch(/is a public key/);
    await run("openssl", ["pkey", "-in", join(dir, "rsa.pkcs8"), "-pubout", "-out", join(dir, "rsa.spki")]);
    expect(await refusal("rsa.spki")).toMatch(/is a public key/);
    await writeFile(join(dir, "notes"), "just some text\n");
    expect(await refusal("notes")).toMatch(/is not a private key in OpenSSH or PEM format/);
    await writeFile(join(dir, "huge"), Buffer.alloc(MAX_KEY_FILE + 1, "A"));
    expect(await refusal("huge")).toMatch(/larger than a key file can be/);
  });

  it("refuses damaged files and key types an agent here cannot use", async () => {
    const text = await readFile(join(dir, "ed25519"), "utf8");
    const lines = text.trim().split("\n");
    await writeFile(join(dir, "cut"), [...lines.slice(0, 3), lines.at(-1)].join("\n"));
    expect(await refusal("cut")).toMatch(/is a damaged OpenSSH private key/);
    await writeFile(join(dir, "unterminated"), lines.slice(0, -1).join("\n"));
    expect(await refusal("unterminated")).toMatch(/is not a complete OpenSSH private key/);
    await writeFile(join(dir, "garbled.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    expect(await refusal("garbled.pem")).toMatch(/holds a private key that cannot be read/);
    await run("ssh-keygen", ["-q", "-t", "dsa", "-N", "", "-f", join(dir, "dsa")]);
    expect(await refusal("dsa")).toMatch(/holds a ssh-dss key; supported are ed25519/);
    await run("openssl", ["genpkey", "-algorithm", "ed448", "-out", join(dir, "ed448")]);
    expect(await refusal("ed448")).toMatch(/holds a ed448 key/);
    await run("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1", "-out", join(dir, "k1")]);
    expect(await refusal("k1")).toMatch(/holds an ECDSA key on curve secp256k1/);
  });
});
