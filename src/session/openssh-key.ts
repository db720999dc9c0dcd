/**
 * Reads OpenSSH's own private key format (`-----BEGIN OPENSSH PRIVATE KEY-----`,
 * openssh-key-v1, what `ssh-keygen` writes by default) into a JSON Web Key, which `node:crypto`
 * imports in every supported runtime; it reads the PEM formats (PKCS#1, SEC1, PKCS#8) itself.
 * Only unencrypted ed25519, ECDSA (NIST P-256/384/521) and RSA keys are read: decrypting would
 * need bcrypt_pbkdf, which `node:crypto` lacks, so a passphrase-protected key is refused (as
 * buildx refuses it), and a security key needs its device.
 */
import { Buffer } from "node:buffer";
import type { JsonWebKey } from "node:crypto";
import { WireError, WireReader } from "./ssh-wire.js";

/** Why a key file cannot be used: the reason only, never key material. */
export class KeyFileError extends Error {}

/** The reason given for an encrypted key in any format. */
export const PASSPHRASE_PROTECTED =
  "is passphrase-protected, and dockhand never asks for a passphrase: add the key to an ssh-agent (ssh-add) and give the agent's socket instead";

const MAGIC = "openssh-key-v1\0";
const ARMOR = /-----BEGIN OPENSSH PRIVATE KEY-----([A-Za-z0-9+/=\s]*)-----END OPENSSH PRIVATE KEY-----/;

/** What the supported key types are, for the messages refusing others. */
export const SUPPORTED_TYPES = "supported are ed25519, ECDSA (nistp256/384/521) and RSA keys";

/** SSH's ECDSA curves (RFC 5656) by their SSH name: the JWK name, the coordinate size in bytes, the hash a signature uses. */
export const ECDSA_CURVES: Readonly<Record<string, { crv: string; size: number; hash: string }>> = {
  nistp256: { crv: "P-256", size: 32, hash: "sha256" },
  nistp384: { crv: "P-384", size: 48, hash: "sha384" },
  nistp521: { crv: "P-521", size: 66, hash: "sha512" },
};

/** Whether `text` holds an OpenSSH-format private key. */
export function isOpenSshKey(text: string): boolean {
  return text.includes("-----BEGIN OPENSSH PRIVATE KEY-----");
}

/** The key in `text` (an OpenSSH-format key file) as a private JWK; KeyFileError when it cannot be used. */
export function openSshPrivateKey(text: string): JsonWebKey {
  const body = ARMOR.exec(text)?.[1];
  if (body === undefined) throw new KeyFileError("is not a complete OpenSSH private key");
  const bytes = new Uint8Array(Buffer.from(body.replace(/\s/g, ""), "base64"));
  try {
    return privateKey(bytes);
  } catch (err) {
    if (err instanceof WireError) throw new KeyFileError(`is a damaged OpenSSH private key (${err.message})`);
    throw err;
  }
}

function privateKey(bytes: Uint8Array): JsonWebKey {
  if (new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) throw new WireError("no openssh-key-v1 header");
  const file = new WireReader(bytes.subarray(MAGIC.length));
  const cipher = file.text();
  file.text(); // kdf name
  file.string(); // kdf options
  if (cipher !== "none") throw new KeyFileError(PASSPHRASE_PROTECTED);
  const count = file.uint32();
  if (count !== 1) throw new KeyFileError(`holds ${count} keys; one key per file is supported`);
  file.string(); // the public key, which the private section repeats
  const section = new WireReader(file.string());
  // Equal check numbers are how OpenSSH tells a right passphrase; unencrypted, they catch damage.
  if (section.uint32() !== section.uint32()) throw new WireError("check numbers differ");
  const type = section.text();
  switch (type) {
    case "ssh-ed25519": {
      const pub = section.string();
      const secret = section.string(); // the 32-byte seed, then the public key again
      if (pub.length !== 32 || secret.length !== 64) throw new WireError("wrong ed25519 key size");
      return { kty: "OKP", crv: "Ed25519", x: base64url(pub), d: base64url(secret.subarray(0, 32)) };
    }
    case "ecdsa-sha2-nistp256":
    case "ecdsa-sha2-nistp384":
    case "ecdsa-sha2-nistp521": {
      const name = section.text();
      const curve = ECDSA_CURVES[name];
      if (curve === undefined || type !== `ecdsa-sha2-${name}`) throw new WireError("the curve does not match the key type");
      const point = section.string(); // uncompressed: 0x04, x, y
      const d = section.mpint();
      if (point.length !== 1 + 2 * curve.size || point[0] !== 4 || d.length > curve.size) throw new WireError("wrong ECDSA key size");
      return {
        kty: "EC",
        crv: curve.crv,
        x: base64url(point.subarray(1, 1 + curve.size)),
        y: base64url(point.subarray(1 + curve.size)),
        d: base64url(padded(d, curve.size)),
      };
    }
    case "ssh-rsa": {
      const [n, e, d, iqmp, p, q] = [section.mpint(), section.mpint(), section.mpint(), section.mpint(), section.mpint(), section.mpint()];
      // JWK wants the CRT exponents, which OpenSSH leaves out.
      const dp = toBytes(toBigInt(d) % (toBigInt(p) - 1n));
      const dq = toBytes(toBigInt(d) % (toBigInt(q) - 1n));
      return { kty: "RSA", n: base64url(n), e: base64url(e), d: base64url(d), p: base64url(p), q: base64url(q), dp: base64url(dp), dq: base64url(dq), qi: base64url(iqmp) };
    }
    default:
      if (type.startsWith("sk-")) throw new KeyFileError(`is a security key (${type}), which needs its device: add it to an ssh-agent and give the agent's socket`);
      throw new KeyFileError(`holds a ${type} key; ${SUPPORTED_TYPES}`);
  }
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}

function padded(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(bytes, size - bytes.length);
  return out;
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`);
}

function toBytes(value: bigint): Uint8Array {
  const hex = value.toString(16);
  return new Uint8Array(Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex"));
}
