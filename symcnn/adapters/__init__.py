"""Adapters that turn other frameworks' models into symcnn networks (imported on use)."""
