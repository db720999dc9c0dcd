// Query keys from untyped callers: a key holding `=`, `&` or `#` must reach the daemon as one
// parameter of that (odd) name, never as extra parameters of its choosing — on plain calls and on
// hijacked ones alike.
import { describe, expect, it } from "vitest";
import { useMockDaemon } from "../support/mock-daemon.js";
import { guardProcess } from "./support.js";

guardProcess();

const mock = useMockDaemon({ apiVersion: "1.47" });

const HOSTILE = { "all=1&size": true, "x#frag": "y" };

function lastRequest(path: string) {
  const found = mock.daemon.requests.filter((r) => r.path === path).at(-1);
  if (!found) throw new Error(`no request to ${path}`);
  return found;
}

function expectOneOddKey(url: string, query: URLSearchParams) {
  expect(url).toContain("all%3D1%26size=true");
  expect(url).toContain("x%23frag=y");
  expect(query.get("all=1&size")).toBe("true");
  expect(query.get("x#frag")).toBe("y");
  expect(query.has("all")).toBe(false);
  expect(query.has("size")).toBe(false);
}

describe("query keys are percent-encoded", () => {
  it("on a JSON call", async () => {
    const docker = mock.client();
    await docker.containers.list(HOSTILE as never);
    const request = lastRequest("/containers/json");
    expectOneOddKey(request.url, request.query);
  });

  it("on a hijacked call (attach with stdin)", async () => {
    const { id } = mock.daemon.state.addContainer({ Image: "busybox:latest", Cmd: ["cat"], OpenStdin: true }, { start: true });
    const docker = mock.client();
    const session = await docker.containers.attach(id, { stdin: true, ...HOSTILE } as never, { tty: false });
    await session.close();
    const request = lastRequest(`/containers/${id}/attach`);
    expect(request.upgrade).toBe(true);
    expectOneOddKey(request.url, request.query);
  });
});
