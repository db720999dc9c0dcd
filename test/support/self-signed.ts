// A throwaway self-signed certificate (its own CA) for localhost and 127.0.0.1, made with openssl,
// for tests that need a real TLS server.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** PEM key and certificate, in `dir` too (key.pem, cert.pem); `remove()` deletes the folder. */
export interface SelfSigned {
  dir: string;
  key: string;
  cert: string;
  remove(): void;
}

export function selfSignedCertificate(prefix: string): SelfSigned {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
  ], { stdio: "ignore" });
  return {
    dir,
    key: readFileSync(join(dir, "key.pem"), "utf8"),
    cert: readFileSync(join(dir, "cert.pem"), "utf8"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
