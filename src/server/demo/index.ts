/** The demo simulator (a documented sub-entry of the hub): `falcon hub --demo` and the desktop app's built-in hub. */
export { DemoSimulator, type DemoSimulatorOptions, type DemoPublisher } from './simulator';
