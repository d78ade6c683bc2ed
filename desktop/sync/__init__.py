"""Talking to the central server: the API client, the outbox pusher, the change-feed follower."""
