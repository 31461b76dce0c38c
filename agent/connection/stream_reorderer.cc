// placeholder during scaffolding
