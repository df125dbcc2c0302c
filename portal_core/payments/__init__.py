"""Payments, a core capability every module that takes money uses: the office's own Stripe account
(Stripe Connect, Standard accounts), direct charges through Stripe Checkout, manual payments,
refunds, and the Connect webhook that tells the paying module (``payment_succeeded``)."""
