import { describe, expect, it } from "vitest";
import { builtImageId } from "../../../src/build/stream.js";

const HEX = "75fe4cd607387e71ee3a38a97e9bde709a3776b1eb0ee9c64c2e86e36783a002";

describe("builtImageId", () => {
  it("reads the result message's aux ID", () => {
    expect(builtImageId({ aux: { ID: `sha256:${HEX}` } })).toBe(`sha256:${HEX}`);
  });

  it("reads a quiet build's id line from dockerd (sha256:…) and from podman (bare hex), as sha256:…", () => {
    expect(builtImageId({ stream: `sha256:${HEX}\n` })).toBe(`sha256:${HEX}`);
    expect(builtImageId({ stream: `${HEX}\n` })).toBe(`sha256:${HEX}`);
  });

  it("takes no other line for an id", () => {
    for (const stream of ["Step 1/2 : FROM busybox\n", `${HEX.slice(1)}\n`, `${HEX}0\n`, `--> ${HEX.slice(0, 12)}\n`, `sha512:${HEX}\n`]) {
      expect(builtImageId({ stream })).toBeUndefined();
    }
    expect(builtImageId({ aux: { ID: 42 } })).toBeUndefined();
  });
});
