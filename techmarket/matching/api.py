from ninja import Router

router = Router(tags=["检索与匹配"])
