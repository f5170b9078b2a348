// The PVE API schema dialect (as dumped by pve-docs' extractapi.pl), typed for the validators.

/** One schema node: a parameter, a property, a return value or a property-string key. */
export interface JsonSchema {
  type?: string;
  optional?: number;
  default?: unknown;
  enum?: string[];
  minimum?: number | string;
  maximum?: number | string;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  /** A named format (`pve-vmid`, `pve-configid-list`) or, as an object, a property-string sub-schema. */
  format?: string | Record<string, JsonSchema>;
  requires?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: number | JsonSchema;
  default_key?: number;
  alias?: string;
  keyAlias?: string;
}

/** A permission check expression: `["perm", path, privs, "any"?, 1?]`, `["or", ...]`, `["and", ...]`. */
export type PermCheck = readonly unknown[];

export interface Permissions {
  user?: "all" | "world";
  check?: PermCheck;
}

/** One operation of the extracted slice (api-schema/slice1.json). */
export interface OperationSchema {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  allowtoken: number;
  protected: number;
  proxyto: string | null;
  permissions: Permissions | null;
  parameters: JsonSchema;
  returns: JsonSchema;
}

export interface ExtractedSchema {
  source: Record<string, unknown>;
  operations: OperationSchema[];
}
