import { z } from 'zod';

// Zod probes for eval (`new Function`) when the first object schema is built; the CSP forbids eval,
// and the probe would log a CSP violation in every window (Firefox reports it even though zod
// catches the throw). The interpreter it falls back to is what runs anyway.
//
// This is its own module, imported first by main.tsx, because imports are evaluated before the
// importing module's body: a `z.config` call in main.tsx itself runs only after src/shared/protocol.ts
// (reached through App and services) has built its schemas, i.e. after the probe.
z.config({ jitless: true });
