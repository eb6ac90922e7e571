from govsite.cli import main

main(prog_name="govsite")
