/**
 * `moby.buildkit.secrets.v1.Secrets/GetSecret`: hands a build's `RUN --mount=type=secret,id=…`
 * the value given for that id, like `docker buildx build --secret`. Values come from a file (read
 * when the daemon asks), an environment variable or the options themselves. A value is never put
 * in an error, a log line or a status message; only ids, file paths and variable names are.
 */
import { readFile } from "node:fs/promises";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { GetSecretRequestSchema, GetSecretResponseSchema } from "../../generated/buildkit/github.com/moby/buildkit/session/secrets/secrets_pb.js";
import { DockerArgumentError } from "../core/errors.js";
import { GrpcError, GrpcStatus } from "./grpc.js";
import { unary, type GrpcHandler } from "./server.js";

/** The method path. */
export const GET_SECRET = "/moby.buildkit.secrets.v1.Secrets/GetSecret";

/** Where a build secret's value comes from: a file, an environment variable, or the value itself. */
export type BuildSecret =
  | {
      /** A file on the client, read each time the build asks for the secret. */
      file: string;
    }
  | {
      /** An environment variable of the client process. */
      env: string;
    }
  | {
      /** The secret itself. */
      value: string | Uint8Array;
    };

/** What the handler serves: id → a way to read the value. */
type SecretSources = ReadonlyMap<string, () => Promise<Uint8Array>>;

/**
 * Checks the secrets before the build starts (a missing file or variable fails then, naming
 * the id and the path or variable) and returns how to read each one.
 */
export async function secretSources(secrets: Readonly<Record<string, BuildSecret>>, env: NodeJS.ProcessEnv): Promise<SecretSources> {
  const sources = new Map<string, () => Promise<Uint8Array>>();
  for (const [id, secret] of Object.entries(secrets)) {
    if (id === "") throw new DockerArgumentError("A build secret needs a non-empty id");
    const source = secret as Partial<Record<"file" | "env" | "value", unknown>>;
    if (typeof source.file === "string") {
      const path = source.file;
      // Readable now, read again when asked: the build gets the file as it is then, like buildx.
      await readFile(path).catch((err: NodeJS.ErrnoException) => {
        throw new DockerArgumentError(`Build secret ${JSON.stringify(id)}: cannot read ${path} (${err.code ?? err.message})`);
      });
      sources.set(id, () => readFile(path));
    } else if (typeof source.env === "string") {
      const value = env[source.env];
      if (value === undefined) throw new DockerArgumentError(`Build secret ${JSON.stringify(id)}: environment variable ${source.env} is not set`);
      const bytes = new TextEncoder().encode(value);
      sources.set(id, async () => bytes);
    } else if (typeof source.value === "string" || source.value instanceof Uint8Array) {
      const bytes = typeof source.value === "string" ? new TextEncoder().encode(source.value) : source.value;
      sources.set(id, async () => bytes);
    } else {
      throw new DockerArgumentError(`Build secret ${JSON.stringify(id)} must be { file }, { env } or { value }`);
    }
  }
  return sources;
}

/** The handler. An id not given is NOT_FOUND, which the daemon reads as "secret not provided". */
export function getSecret(sources: SecretSources): GrpcHandler {
  return unary(async (message) => {
    const { ID: id } = fromBinary(GetSecretRequestSchema, message);
    const read = sources.get(id);
    if (read === undefined) throw new GrpcError(GrpcStatus.NOT_FOUND, `secret ${id} not found`);
    let data: Uint8Array;
    try {
      data = await read();
    } catch (err) {
      // The error names the file (as the message of a failed read does), never its content.
      throw new GrpcError(GrpcStatus.UNAVAILABLE, `secret ${id}: ${(err as Error).message}`);
    }
    return toBinary(GetSecretResponseSchema, create(GetSecretResponseSchema, { data }));
  });
}
