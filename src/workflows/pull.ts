import { NotFoundError } from "../core/errors.js";
import type { RequestOptions } from "../core/types.js";
import type { ImageOperations, PullQuery } from "../resources/images.js";
import type { AuthOptions } from "../resources/registry-auth.js";

/** Inspects, and pulls only when the engine has no such image; see `Images.pullIfMissing`. */
export async function pullIfMissing(
  images: ImageOperations,
  reference: string,
  query: PullQuery | undefined,
  options: (RequestOptions & AuthOptions) | undefined,
): Promise<boolean> {
  try {
    await images.inspect(reference, undefined, options);
    return false;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  await images.pull(reference, query, options);
  return true;
}
