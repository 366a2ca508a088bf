"""The routing policy: `decide` (the pure decision and its types), `loader` (YAML text to a Policy, with
errors at their line; pure) and `versions` (the stored, versioned policies and which one is active)."""
