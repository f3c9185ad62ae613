"""The synthetic local authority: people, latent risk, social care journeys, returns, extracts."""
