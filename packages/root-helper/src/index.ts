// Public surface of @felhom/root-helper (filled in by its issue).
export {};
