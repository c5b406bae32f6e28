// dynalite ships no types: the part the tests use.
declare module 'dynalite' {
  import type { Server } from 'node:http';
  interface DynaliteOptions {
    /** Milliseconds a CreateTable stays CREATING (0: active at once). */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    /** A directory for LevelDB files; in memory without it. */
    path?: string;
  }
  export default function dynalite(options?: DynaliteOptions): Server;
}
