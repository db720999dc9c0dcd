import type { HttpHandler } from "msw";
import { compareVersions } from "../../core/version.js";
import { endpoint } from "../endpoint.js";
import { Filters } from "../filters.js";
import { shortId } from "../ids.js";
import { boolParam, parseTime } from "../params.js";
import { familiar, parseRef } from "../refs.js";
import { DaemonError, empty, json } from "../reply.js";
import type { MockImage } from "../image.js";
import type { MockState } from "../state.js";
import { rfc3339, unixSeconds } from "../time.js";
import type { Schema } from "../wire.js";
import { pullHandler } from "./pull.js";
import type { DaemonSettings } from "./settings.js";

const LIST_FILTERS = ["before", "dangling", "label", "reference", "since", "until"];

/** A history entry; the daemon sends `Tags: null` for untagged layers, whatever the spec says. */
type HistoryItem = Omit<Schema<"ImageHistoryResponseItem">, "Tags"> & { Tags: string[] | null };

/** Image routes: list, inspect, pull (`create`), tag, remove, history, prune. */
export function imageHandlers(state: MockState, settings: DaemonSettings): HttpHandler[] {
  return [
    endpoint.get("/images/json", ({ query, version }) => {
      const filters = Filters.parse(query, LIST_FILTERS);
      const dangling = filters.bool("dangling");
      const before = filters.get("before")[0];
      const since = filters.get("since")[0];
      const until = filters.get("until")[0];
      const beforeTime = before === undefined ? undefined : state.image(before).created;
      const sinceTime = since === undefined ? undefined : state.image(since).created;
      const untilTime = until === undefined ? undefined : parseTime(until, "until");
      const all = boolParam(query, "all");
      const images = [...state.images.values()]
        .filter(
          (image) =>
            // A build's intermediate images (untagged, with children) only show with `all`.
            (all || image.repoTags.length > 0 || state.childrenOf(image).length === 0) &&
            (dangling === undefined || dangling === (image.repoTags.length === 0)) &&
            filters.any("reference", (pattern) => image.repoTags.some((tag) => referenceMatches(pattern, tag))) &&
            filters.labels(image.labels) &&
            (beforeTime === undefined || image.created < beforeTime) &&
            (sinceTime === undefined || image.created > sinceTime) &&
            (untilTime === undefined || image.created < untilTime),
        )
        .sort((a, b) => (a.created < b.created ? 1 : -1));
      return json(
        images.map((image): Schema<"ImageSummary"> => ({
          Id: image.id,
          ParentId: image.parent ?? "",
          RepoTags: image.repoTags,
          RepoDigests: image.repoDigests,
          Created: unixSeconds(image.created),
          Size: image.size,
          SharedSize: -1,
          ...(compareVersions(version, "1.44") < 0 ? { VirtualSize: image.size } : {}),
          Labels: Object.keys(image.labels).length > 0 ? image.labels : null,
          Containers: -1,
        })),
      );
    }),

    pullHandler(state, settings),

    endpoint.get("/images/:name+/json", ({ params, version }) => imageInspect(state.image(params.name!), version)),

    endpoint.get("/images/:name+/history", ({ params }) => {
      const history: HistoryItem[] = [];
      let image: MockImage | undefined = state.image(params.name!);
      // Built images: one entry per build step, newest first, down to the base image.
      for (; image?.createdBy !== undefined; image = image.parent === undefined ? undefined : state.images.get(image.parent)) {
        const parent = image.parent === undefined ? undefined : state.images.get(image.parent);
        history.push({
          Id: image.id,
          Created: unixSeconds(image.created),
          CreatedBy: image.createdBy,
          Tags: image.repoTags.length > 0 ? image.repoTags : null,
          Size: image.size - (parent?.size ?? 0),
          Comment: "",
        });
      }
      if (image) history.push(...baseHistory(image));
      return json(history);
    }),

    endpoint.post("/images/:name+/tag", ({ params, query }) => {
      const image = state.image(params.name!);
      const repo = query.get("repo");
      if (!repo) throw new DaemonError(400, "repository name must have at least one component");
      state.tagImage(image, `${repo}:${query.get("tag") || "latest"}`);
      return empty(201);
    }),

    endpoint.delete("/images/:name+", ({ params, query }) => {
      const ref = params.name!;
      const image = state.image(ref);
      const force = boolParam(query, "force");
      const parsed = parseRef(ref);
      const tag = parsed && image.repoTags.includes(familiar(parsed)) ? familiar(parsed) : undefined;
      // Removing one of several tags only untags; nothing else is checked.
      if (tag && image.repoTags.length > 1) return json(state.untagImage(image, tag));
      const users = state.containersUsing(image);
      const running = users.find((container) => container.running);
      if (running && (force || !tag)) {
        throw new DaemonError(409, `conflict: unable to delete ${shortId(image.id)} (cannot be forced) - image is being used by running container ${shortId(running.id)}`);
      }
      if (users.length > 0 && !force) {
        const user = shortId(users[0]!.id);
        throw new DaemonError(
          409,
          tag
            ? `conflict: unable to remove repository reference "${tag}" (must force) - container ${user} is using its referenced image ${shortId(image.id)}`
            : `conflict: unable to delete ${shortId(image.id)} (must be forced) - image is being used by stopped container ${user}`,
        );
      }
      if (!tag && image.repoTags.length > 1 && !force) {
        throw new DaemonError(409, `conflict: unable to delete ${shortId(image.id)} (must be forced) - image is referenced in multiple repositories`);
      }
      return json(state.deleteImage(image));
    }),

    endpoint.post("/images/prune", ({ query }) => {
      const filters = Filters.parse(query, ["dangling", "label", "label!", "until"]);
      const danglingOnly = filters.bool("dangling") ?? true;
      const until = filters.get("until")[0];
      const untilTime = until === undefined ? undefined : parseTime(until, "until");
      const victims = [...state.images.values()].filter(
        (image) =>
          (!danglingOnly || (image.repoTags.length === 0 && state.childrenOf(image).length === 0)) &&
          state.containersUsing(image).length === 0 &&
          filters.labels(image.labels) &&
          (untilTime === undefined || image.created < untilTime),
      );
      // Deleting one image may already have taken an untagged parent that was also a victim.
      const deleted = victims.flatMap((image) => (state.images.has(image.id) ? state.deleteImage(image) : []));
      const reclaimed = victims.reduce((sum, image) => sum + image.size, 0);
      state.events.emit("image", "prune", "", { reclaimed: String(reclaimed) });
      return json({ ImagesDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed });
    }),
  ];
}

/** `GET /images/{name}/json`; fields the daemon dropped in later versions only appear for older ones. */
function imageInspect(image: MockImage, version: string): Response {
  const legacy = compareVersions(version, "1.52") < 0 ? { Parent: image.parent ?? "", Comment: "", DockerVersion: "", Author: "" } : {};
  return json(<Schema<"ImageInspect">>{
    Id: image.id,
    RepoTags: image.repoTags,
    RepoDigests: image.repoDigests,
    ...legacy,
    Created: rfc3339(image.created),
    Config: {
      User: image.config.User,
      Env: image.config.Env,
      Cmd: image.config.Cmd,
      ...(image.config.Entrypoint ? { Entrypoint: image.config.Entrypoint } : {}),
      ...(image.config.ExposedPorts ? { ExposedPorts: image.config.ExposedPorts } : {}),
      ...(image.config.Volumes ? { Volumes: image.config.Volumes } : {}),
      ...(image.config.StopSignal ? { StopSignal: image.config.StopSignal } : {}),
      ...(image.config.Shell ? { Shell: image.config.Shell } : {}),
      WorkingDir: image.config.WorkingDir,
      Labels: Object.keys(image.labels).length > 0 ? image.labels : null,
    },
    Architecture: "amd64",
    Os: "linux",
    Size: image.size,
    ...(compareVersions(version, "1.44") < 0 ? { VirtualSize: image.size } : {}),
    GraphDriver: { Data: null, Name: "overlay2" },
    RootFS: { Type: "layers", Layers: image.layers },
    Metadata: { LastTagTime: "0001-01-01T00:00:00Z" },
  });
}

/** History of a pulled or seeded image: one entry per layer, the newest carrying the image's id and command. */
function baseHistory(image: MockImage): HistoryItem[] {
  const layerSize = Math.round(image.size / image.layers.length);
  return [...image.layers].reverse().map((layer, i): HistoryItem => ({
    Id: i === 0 ? image.id : "<missing>",
    Created: unixSeconds(image.created),
    CreatedBy: i === 0 && image.config.Cmd ? `CMD ${JSON.stringify(image.config.Cmd)}` : `ADD file:${shortId(layer)} in /`,
    Tags: i === 0 ? image.repoTags : null,
    Size: layerSize,
    Comment: "",
  }));
}

/** The `reference` filter: a glob on the familiar `name:tag`, or on the name alone. */
function referenceMatches(pattern: string, tag: string): boolean {
  const glob = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")}$`);
  return glob.test(tag) || glob.test(tag.slice(0, tag.lastIndexOf(":")));
}
