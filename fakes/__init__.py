"""Wire-faithful fake model servers (Anthropic Messages, OpenAI chat completions) on loopback, with fault
modes, for the tests and `make bench`. Never used by the product at run time."""
