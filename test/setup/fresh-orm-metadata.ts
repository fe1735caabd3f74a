// Each test file loads its own copy of the entity classes; start it with empty ORM metadata so
// classes of a file that ran before in this worker (another realm) are not merged in.
delete (globalThis as Record<string, unknown>)['mikro-orm-metadata'];
