from tests.test_mesh_pane import *  # noqa

async def test_debug(world, kubeconfig) -> None:
    app = make_app(kubeconfig, world)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_pane(app, pilot, world)
        print("FOCUS", app.focused, [r[0] for r in cells(app)])
        t = app.screen.query_one("#mesh-table", DataTable)
        for _ in range(3):
            await pilot.press("j"); await pilot.pause()
            print("ROW", t.cursor_row, t.cursor_coordinate, current(app))
