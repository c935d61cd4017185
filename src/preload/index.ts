import { contextBridge } from 'electron';

// The desktop bridge (issue: desktop shell) grows here: one named function per action.
contextBridge.exposeInMainWorld('falcon', { version: 1 });
