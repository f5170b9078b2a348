// Public surface of @felhom/pve-client (filled in by its issue).
export {};
