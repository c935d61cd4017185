export function App() {
  return <main>Falcon Monitor</main>;
}
