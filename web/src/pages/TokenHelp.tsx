import { PAYMENT_TOKENS } from '../format';

/** What each token of the payment simulator does. */
export function TokenHelp({ id }: { id: string }) {
  return (
    <div id={id} class="help">
      <p>This shop runs a payment simulator: type one of these tokens.</p>
      <ul>
        {PAYMENT_TOKENS.map(({ token, text }) => (
          <li key={token}>
            <code>{token}</code> {text}
          </li>
        ))}
      </ul>
    </div>
  );
}
