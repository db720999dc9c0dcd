/**
 * A private key file made ready for an in-process SSH agent, as buildx does with `--ssh
 * id=KEYFILE`: read once (up to 100 KiB, buildx's limit) in OpenSSH or PEM format, held as a
 * `node:crypto` key, listed by its public key blob and signing as the agent protocol asks.
 * Errors name the file and say why; they never hold its bytes.
 */
import { Buffer } from "node:buffer";
import { createPrivateKey, createPublicKey, type KeyObject, sign } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { concatBytes } from "../internal/bytes.js";
import { ECDSA_CURVES, isOpenSshKey, KeyFileError, openSshPrivateKey, PASSPHRASE_PROTECTED, SUPPORTED_TYPES } from "./openssh-key.js";
import { mpint, sshString } from "./ssh-wire.js";

/** A private key an in-process agent holds. */
export interface SshKey {
  /** The public key in SSH wire form, as an agent lists it and a sign request names it. */
  readonly blob: Uint8Array;
  /** Signs `data` (with an RSA key, by the sign request's flags); the signature in SSH wire form. */
  sign(data: Uint8Array, flags: number): Uint8Array;
}

/** buildx reads no more of a key file than this. */
export const MAX_KEY_FILE = 100 * 1024;

/** Sign request flags asking an RSA key for a SHA-2 signature (draft-miller-ssh-agent §4.5.1). */
const RSA_SHA2_256 = 2;
const RSA_SHA2_512 = 4;

const PRIVATE_PEM = /-----BEGIN ([A-Z0-9 ]+ )?PRIVATE KEY-----/;
const ENCRYPTED_PEM = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/;
const PUBLIC_KEY = /^\s*((ssh|ecdsa|sk)-\S+ [A-Za-z0-9+/]|-----BEGIN (RSA )?PUBLIC KEY-----|---- BEGIN SSH2 PUBLIC KEY ----)/;

/** Reads the private key at `path`; KeyFileError (naming the path, saying why) when it cannot be used. */
export async function readSshKey(path: string): Promise<SshKey> {
  const text = await readKeyFile(path);
  const fail = (why: string) => new KeyFileError(`${path} ${why}`);
  let key: KeyObject;
  try {
    if (isOpenSshKey(text)) key = createPrivateKey({ key: openSshPrivateKey(text), format: "jwk" });
    else if (ENCRYPTED_PEM.test(text)) throw new KeyFileError(PASSPHRASE_PROTECTED);
    else if (PRIVATE_PEM.test(text)) key = createPrivateKey(text);
    else if (PUBLIC_KEY.test(text)) throw new KeyFileError("is a public key; give the private key's file");
    else throw new KeyFileError("is not a private key in OpenSSH or PEM format");
  } catch (err) {
    if (err instanceof KeyFileError) throw fail(err.message);
    // The runtime's own reason is left out: it is not ours to vouch that it never quotes the key.
    throw fail("holds a private key that cannot be read");
  }
  return sshKey(key, fail);
}

async function readKeyFile(path: string): Promise<string> {
  const unreadable = (err: NodeJS.ErrnoException) => {
    throw new KeyFileError(`cannot read ${path} (${err.code ?? err.message})`);
  };
  // Looked at before it is opened: opening a named pipe would wait for a writer.
  const info = await stat(path).catch(unreadable);
  if (!info.isFile()) throw new KeyFileError(`${path} is not a file`);
  if (info.size > MAX_KEY_FILE) throw new KeyFileError(`${path} is larger than a key file can be (${MAX_KEY_FILE / 1024} KiB)`);
  return readFile(path, "utf8").catch(unreadable);
}

function sshKey(key: KeyObject, fail: (why: string) => KeyFileError): SshKey {
  const jwk = createPublicKey(key).export({ format: "jwk" });
  switch (key.asymmetricKeyType) {
    case "ed25519":
      return {
        blob: concatBytes([sshString("ssh-ed25519"), sshString(bytes(jwk.x))]),
        sign: (data) => signature("ssh-ed25519", sign(null, data, key)),
      };
    case "ec": {
      const name = Object.keys(ECDSA_CURVES).find((n) => ECDSA_CURVES[n]!.crv === jwk.crv);
      if (name === undefined) throw fail(`holds an ECDSA key on curve ${jwk.crv ?? "(unknown)"}; ${SUPPORTED_TYPES}`);
      const { hash } = ECDSA_CURVES[name]!;
      const type = `ecdsa-sha2-${name}`;
      return {
        blob: concatBytes([sshString(type), sshString(name), sshString(concatBytes([Uint8Array.of(4), bytes(jwk.x), bytes(jwk.y)]))]),
        sign(data) {
          // r and s, each the curve's size; SSH sends them as two mpints.
          const rs = sign(hash, data, { key, dsaEncoding: "ieee-p1363" });
          const half = rs.length / 2;
          return signature(type, concatBytes([mpint(rs.subarray(0, half)), mpint(rs.subarray(half))]));
        },
      };
    }
    case "rsa":
      return {
        blob: concatBytes([sshString("ssh-rsa"), mpint(bytes(jwk.e)), mpint(bytes(jwk.n))]),
        sign(data, flags) {
          // As OpenSSH's agent decides: SHA-256 first, then SHA-512, else the legacy SHA-1 ssh-rsa.
          const [type, hash] = flags & RSA_SHA2_256 ? ["rsa-sha2-256", "sha256"] : flags & RSA_SHA2_512 ? ["rsa-sha2-512", "sha512"] : ["ssh-rsa", "sha1"];
          return signature(type, sign(hash, data, key));
        },
      };
    default:
      throw fail(`holds a ${key.asymmetricKeyType ?? "secret"} key; ${SUPPORTED_TYPES}`);
  }
}

/** A signature in SSH wire form: its format, then the blob. */
function signature(type: string, blob: Uint8Array): Uint8Array {
  return concatBytes([sshString(type), sshString(blob)]);
}

function bytes(base64url: string | undefined): Uint8Array {
  return new Uint8Array(Buffer.from(base64url ?? "", "base64url"));
}
