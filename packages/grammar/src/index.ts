// Public surface of @felhom/grammar: what a grammar is, and every value grammar of the project.
export { inRange, int, matches, text, type IntGrammar, type TextGrammar } from "./grammar.js";
export {
  BRIDGE,
  FINGERPRINT,
  HOSTNAME,
  LXC_NET_KEYS,
  NODE,
  OS_TEMPLATE,
  PVE_TOKEN_ID,
  PVE_USER_ID,
  SNAPSHOT_NAME,
  STORAGE_ID,
  TOKEN_ID,
  VMID,
  VOLUME_ID,
  type LxcNetKey,
} from "./values.js";
