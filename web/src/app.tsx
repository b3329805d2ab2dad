import { LocationProvider, Route, Router } from 'preact-iso';
import { useBasket } from './basket';
import { PageTitle } from './components';
import { useSession } from './hooks';
import { Basket } from './pages/Basket';
import { Catalogue } from './pages/Catalogue';
import { MyOrders } from './pages/MyOrders';
import { OrderPage } from './pages/OrderPage';
import { PetPage } from './pages/PetPage';
import { SignIn, SignInCallback } from './pages/SignIn';
import { signOut } from './session';

function Header() {
  const session = useSession();
  const count = useBasket().reduce((n, l) => n + l.quantity, 0);
  return (
    <header class="top">
      <a class="brand" href="/shop">
        Petstore
      </a>
      <nav aria-label="Main">
        <ul>
          <li>
            <a href="/shop">Pets</a>
          </li>
          <li>
            <a href="/shop/basket">
              Basket{count > 0 ? ` (${count})` : ''}
            </a>
          </li>
          <li>
            <a href="/shop/orders">My orders</a>
          </li>
          <li>
            {session ? (
              <span class="who">
                <span data-testid="signed-in-as">{session.name}</span>{' '}
                <button type="button" class="link" onClick={signOut}>
                  Sign out
                </button>
              </span>
            ) : (
              <a href="/shop/sign-in">Sign in</a>
            )}
          </li>
        </ul>
      </nav>
    </header>
  );
}

function NotFound() {
  return (
    <section>
      <PageTitle title="Not found">This page does not exist</PageTitle>
      <p>
        <a href="/shop">Back to the pets</a>
      </p>
    </section>
  );
}

/** The storefront: header, and the page the URL names (the router handles links under /shop). */
export function App() {
  return (
    <LocationProvider scope="/shop">
      <a class="skip" href="#main">
        Skip to the content
      </a>
      <Header />
      <main id="main">
        <Router>
          <Route path="/shop" component={Catalogue} />
          <Route path="/shop/pets/:id" component={PetPage} />
          <Route path="/shop/basket" component={Basket} />
          <Route path="/shop/orders" component={MyOrders} />
          <Route path="/shop/orders/:id" component={OrderPage} />
          <Route path="/shop/sign-in" component={SignIn} />
          <Route path="/shop/auth/callback" component={SignInCallback} />
          <Route default component={NotFound} />
        </Router>
      </main>
    </LocationProvider>
  );
}
