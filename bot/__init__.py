"""小店助手: the shop assistant's Python package (gateway, Rasa components, shop data)."""
