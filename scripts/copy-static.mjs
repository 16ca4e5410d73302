// placeholder until copy-static lands
