import type { HttpHandler } from "msw";
import { apiVersionOf } from "./context.js";
import { msw } from "./msw.js";
import { DaemonError, errorResponse } from "./reply.js";
import { route, type RouteParams } from "./route.js";

/** What a built-in handler gets for one request. */
export interface Call {
  request: Request;
  params: RouteParams;
  query: URLSearchParams;
  /** The API version the request was made with (see {@link apiVersionOf}). */
  version: string;
}

type Resolver = (call: Call) => Response | Promise<Response>;

function define(method: "get" | "head" | "post" | "put" | "delete") {
  return (path: string, resolver: Resolver): HttpHandler =>
    msw().http[method](route(path), async ({ request, params }) => {
      try {
        return await resolver({ request, params: params as RouteParams, query: new URL(request.url).searchParams, version: apiVersionOf(request) });
      } catch (error) {
        if (error instanceof DaemonError) return errorResponse(error.status, error.message);
        throw error;
      }
    });
}

/**
 * Defines built-in routes: a {@link route} pattern plus a resolver that may throw
 * {@link DaemonError} to answer with the daemon's `{"message": ...}` body.
 */
export const endpoint = {
  get: define("get"),
  head: define("head"),
  post: define("post"),
  put: define("put"),
  delete: define("delete"),
};

/**
 * Reads a JSON body the daemon's way: an empty body is `undefined`, a content type other than
 * JSON is a 400, and so is malformed JSON.
 */
export async function readJson<T>(request: Request): Promise<T | undefined> {
  const type = request.headers.get("content-type");
  if (type && !/^application\/json\b/i.test(type)) {
    throw new DaemonError(400, `unsupported Content-Type header (${type}): must be 'application/json'`);
  }
  const text = await request.text();
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new DaemonError(400, `invalid JSON: ${(error as Error).message}`);
  }
}
