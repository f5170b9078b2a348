// Public surface of @felhom/pve-sim (filled in by its issue).
export {};
