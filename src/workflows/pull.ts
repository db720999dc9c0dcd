import { NotFoundError } from "../core/errors.js";
import type { RequestOptions } from "../core/types.js";
import type { ImageOperations } from "../resources/images.js";
import type { AuthOptions } from "../resources/registry-auth.js";

/** Inspects, and pulls only when the engine has no such image; see `Images.pullIfMissing`. */
export async function pullIfMissing(
  images: ImageOperations,
  reference: string,
  options?: RequestOptions & AuthOptions & { platform?: string },
): Promise<boolean> {
  try {
    await images.inspect(reference, undefined, options);
    return false;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  await images.pull(reference, options);
  return true;
}
