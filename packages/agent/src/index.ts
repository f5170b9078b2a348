// Public surface of @felhom/agent (filled in by its issue).
export {};
