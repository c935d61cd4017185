/** The demo simulator (a documented sub-entry of the hub): `falcon hub --demo` and the desktop app's built-in hub. */
export {
  DemoSimulator,
  DemoAnswerError,
  DEMO_CHOICES,
  type DemoAnswer,
  type DemoSimulatorOptions,
  type DemoPublisher,
} from './simulator';
export { answerDemoInputs } from './answers';
