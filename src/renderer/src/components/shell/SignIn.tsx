import { type FormEvent, useState } from 'react';
import { useServices } from '../../services';

/** The web edition without a token: paste one (the hub's `--demo` prints a link that fills it in). */
export function SignIn() {
  const { bridge } = useServices();
  const [token, setToken] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (token.trim())
      void bridge.getServer().then((server) => bridge.setServer({ url: server.url, token: token.trim() }));
  };
  return (
    <form className="sign-in" onSubmit={submit} aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in to the Falcon hub</h1>
      <p>
        Paste a token from <code>falcon token</code>, or open the link <code>falcon hub --demo</code> prints.
      </p>
      <label>
        Token
        <input
          type="password"
          autoComplete="off"
          value={token}
          onChange={(event) => setToken(event.target.value)}
          autoFocus
        />
      </label>
      <button type="submit" className="primary">
        Connect
      </button>
    </form>
  );
}
