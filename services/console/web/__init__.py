"""The console's pages: routes, sign-in and CSRF checks, and the templates' helpers."""
