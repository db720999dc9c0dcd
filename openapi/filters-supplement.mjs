// Hand-maintained corrections to the filter keys read from the spec's prose. Each entry says
// why it exists; checked against moby's daemon code and a live 20.10 daemon.
//
// Fields: operation, key; `since` (required for keys the spec never lists; "floor" = oldest
// spec); `values` / `form` to set; `addValues` to extend values the spec enumerates;
// `replaces` to drop a key the spec documents wrongly.

/** Filter facts the spec gets wrong or leaves in prose. */
export const FILTER_SUPPLEMENT = [
  {
    operation: "PluginList",
    key: "enabled",
    replaces: "enable",
    since: "floor",
    values: ["true", "false"],
    reason: "The daemon's key is `enabled` (acceptedPluginFilterTags); the documented `enable` is rejected as an invalid filter.",
  },
  {
    operation: "SystemEvents",
    key: "type",
    addValues: ["builder"],
    reason: "Build cache prune events have type `builder` (EventMessage.Type lists it); the filter description leaves it out.",
  },
  {
    operation: "SystemEvents",
    key: "scope",
    values: ["local", "swarm"],
    reason: "The two scopes are named in prose only.",
  },
  {
    operation: "ConfigList",
    key: "name",
    replaces: "names",
    reason: "Configs filter on `name`, `id` and `label` only (daemon/cluster/filters.go); the documented `names` is rejected.",
  },
  {
    operation: "ServiceList",
    key: "runtime",
    since: "floor",
    values: ["container", "plugin", "attachment"],
    reason: "newListServicesFilters accepts `runtime`; the spec never documents it.",
  },
  {
    operation: "ServiceList",
    key: "mode",
    addValues: ["replicated-job", "global-job"],
    reason: "Job modes (API 1.41) are accepted by the mode filter; the spec lists only the two service modes.",
  },
  {
    operation: "TaskList",
    key: "runtime",
    since: "floor",
    values: ["container", "plugin", "attachment"],
    reason: "newListTasksFilters accepts `runtime`; the spec never documents it.",
  },
  {
    operation: "TaskList",
    key: "desired-state",
    addValues: ["new", "allocated", "pending", "assigned", "preparing", "ready", "starting", "complete", "failed", "rejected", "remove", "orphaned"],
    reason: "The filter takes any task state (swarm TaskState names); the spec lists three.",
  },
  {
    operation: "SystemEvents",
    key: "event",
    values: [
      "attach", "commit", "copy", "create", "destroy", "detach", "die", "exec_create", "exec_detach", "exec_start",
      "exec_die", "export", "health_status", "health_status: starting", "health_status: healthy",
      "health_status: unhealthy", "kill", "oom", "pause", "rename", "resize", "restart", "start", "stop", "top",
      "unpause", "update", "prune", "delete", "import", "load", "pull", "push", "save", "tag", "untag", "mount",
      "unmount", "connect", "disconnect", "remove", "reload", "enable", "disable", "install",
    ],
    reason: "Actions form a closed set (moby's events.Action constants); health_status, exec_create and exec_start also match by prefix.",
  },
];
